"""The environment a generated Keras script runs in as a fresh `python`: quiet TensorFlow, and no PYTHONPATH, so
it imports nothing of this project."""
import os

FRESH_ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""}
