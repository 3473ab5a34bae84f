"""Alembic's environment: run migrations on the engine kb hands over (see kb.store.engine)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from kb.store.tables import metadata

config = context.config


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    if context.is_offline_mode():
        context.configure(
            url=engine.url,
            target_metadata=metadata,
            literal_binds=True,
            render_as_batch=engine.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run()
