"""A run's controls on every page: what each accepts, the sidebar, kept values, your own CSV, lesson links and presets."""
