"""Routes per resource, each module exporting ``ROUTES`` (explicit ``Route`` lists)."""
