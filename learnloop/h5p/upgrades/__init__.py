"""Content upgrades: content on an older library version moved to a newer one with the
library's own ``upgrades.js`` (H5P core's content upgrade), run server-side in V8."""
