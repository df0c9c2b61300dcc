"""plotly.js as the portal serves it: plotly's own bundled ``plotly.min.js`` (from the Python
package, so the Python and JS sides always match), with the addresses of third-party services
it could fetch from (map tiles, map icons, topojson, Chart Studio) pointed at the portal
itself. The portal draws no maps, so nothing is lost — and nothing can reach a CDN.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import plotly

BUNDLE = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
OFFLINE_PREFIX = "/charts/offline/"
THIRD_PARTY = (
    "cdn.jsdelivr.net", "cdn.plot.ly", "cloud.plotly.com", "basemaps.cartocdn.com",
    "tiles.basemaps.cartocdn.com", "tile.openstreetmap.org", "server.arcgisonline.com",
    "geoserveis.icgc.cat", "tilemaps.icgc.cat", "fonts.openmaptiles.org",
)
_HOSTS = re.compile(r"https?://(" + "|".join(re.escape(h) for h in THIRD_PARTY) + r")/?")


@lru_cache(maxsize=1)
def plotly_js() -> tuple[bytes, str]:
    """(the script, its ETag). Read and rewritten once per process."""
    text = BUNDLE.read_text(encoding="utf-8")
    text = _HOSTS.sub(OFFLINE_PREFIX, text)
    data = text.encode("utf-8")
    return data, hashlib.sha256(data).hexdigest()[:16]


def plotly_version() -> str:
    return plotly.__version__
