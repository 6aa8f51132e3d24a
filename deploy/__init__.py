"""Serving the app to a class: ``make class`` (cluster.py) runs replicas (server.py) behind HAProxy
(haproxy.cfg.template); the Dockerfile and kubernetes/ carry the same settings to a container platform."""
