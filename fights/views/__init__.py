"""Views of the fights app, by audience: `public` for volunteers and the public."""
