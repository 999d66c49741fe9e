"""Take a run home: images and a GIF of its charts, the trained network as a Keras model, and the Keras code
that builds and trains it. Records themselves export as their JSON (core/record.py) and read back through
core/export/import_record.py. No Streamlit here."""
