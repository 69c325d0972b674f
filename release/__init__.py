"""release-parity: one declarative release graph, local gates and CI from one table."""

from release.config import Config
from release.config import load as load_config
from release.errors import ConfigError, ReleaseError, UsageError

__version__ = "0.1.0"
__all__ = ["Config", "ConfigError", "ReleaseError", "UsageError", "__version__", "load_config"]
