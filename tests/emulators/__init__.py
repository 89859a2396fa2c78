"""In-repo emulators of the platforms' APIs on 127.0.0.1, for tests/e2e/ and `modbot demo`."""
