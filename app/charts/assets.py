"""plotly.js as the portal serves it: the eval-free "strict" build of the plotly.js version that
the Python plotly package bundles, vendored into app/vendor/plotly/ by
scripts/vendor_plotly.sh (npm package ``plotly.js-strict-dist-min``, checked against
PLOTLY_STRICT_SHA256), so the Content-Security-Policy needs no 'unsafe-eval'. The addresses of
third-party services it could fetch from (map tiles, map icons, topojson, Chart Studio) are
pointed at the portal itself. The portal draws no maps, so nothing is lost — and nothing can
reach a CDN.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import plotly

# outside static/: only the rewritten copy (/charts/plotly.min.js, no third-party host) is served
BUNDLE = Path(__file__).resolve().parent.parent / "vendor" / "plotly" / "plotly-strict.min.js"
PLOTLY_STRICT_SHA256 = "4ac841837b31c1bfd2ab140e3a248ddcc6c2106978fbf2c1c18a7aada930a37a"
# The bundle the Python package carries: only read for its version (the two must match).
PYTHON_BUNDLE = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
OFFLINE_PREFIX = "/charts/offline/"
THIRD_PARTY = (
    "cdn.jsdelivr.net", "cdn.plot.ly", "cloud.plotly.com", "basemaps.cartocdn.com",
    "tiles.basemaps.cartocdn.com", "tile.openstreetmap.org", "server.arcgisonline.com",
    "geoserveis.icgc.cat", "tilemaps.icgc.cat", "fonts.openmaptiles.org",
)
_HOSTS = re.compile(r"https?://(" + "|".join(re.escape(h) for h in THIRD_PARTY) + r")/?")
_VERSION = re.compile(rb"plotly\.js[^\n]*? v(\d+\.\d+\.\d+)")


@lru_cache(maxsize=1)
def plotly_js() -> tuple[bytes, str]:
    """(the script, its ETag). Read and rewritten once per process."""
    text = BUNDLE.read_text(encoding="utf-8")
    text = _HOSTS.sub(OFFLINE_PREFIX, text)
    data = text.encode("utf-8")
    return data, hashlib.sha256(data).hexdigest()[:16]


def bundle_version(path: Path) -> str:
    """The plotly.js version named in a bundle's licence header (``plotly.js … v4.1.1``)."""
    with path.open("rb") as fh:
        match = _VERSION.search(fh.read(300))
    return match.group(1) if match else ""


def plotly_version() -> str:
    """What pages append to the script's address (``?v=``): changes whenever the served file does."""
    return plotly_js()[1]
