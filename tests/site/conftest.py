"""The built help center as readers get it: HTML, the widget, security headers."""
