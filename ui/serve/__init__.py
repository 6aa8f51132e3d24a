"""What exists because a class shares one server: caches, replay, the training worker, tuning."""
