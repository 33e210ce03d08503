"""What the migrations run on PostgreSQL only (the loader skips modules named with `_`)."""


def on_postgresql(*statements: str):
    """A RunPython function that executes `statements` on PostgreSQL, and nothing elsewhere."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run
