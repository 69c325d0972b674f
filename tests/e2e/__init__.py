"""End-to-end tests: real pypiserver and devpi-server on 127.0.0.1, bare git remotes, twine, uv."""
