"""Case registers: reconsideration and litigation cases, their time limits, numbering, the
statistics derived from them and the repeated challenges found in them."""
