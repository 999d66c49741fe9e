"""Live charts: the component that draws a run's stream in the browser, and the wait for a slow browser."""
