"""The staff back office at /admin/: server-rendered pages over the same core services as
the JSON API, signed in with a server-side session, every form guarded by a CSRF token."""
