// Atlas project file: lets a team with the Atlas CLI plan and apply keel's migrations unchanged.
// keel itself does not need the CLI: `keel db new|check|upgrade|status|hash` implement the same directory format
// (see docs/adr/0002-atlas-migrations-without-the-cli.md). Run Atlas inside the project environment, so that
// `python` below is the project's: `uv run atlas migrate diff --env local <name>`.
//
// Variables (Atlas URLs, not SQLAlchemy ones: `postgres://`, no `+asyncpg`):
//   ATLAS_DATABASE_URL  the database to migrate, e.g. postgres://postgres@127.0.0.1:5432/keel?search_path=public&sslmode=disable
//   ATLAS_DEV_URL       an empty database Atlas may wipe, e.g. postgres://postgres@127.0.0.1:5432/keel_atlas_dev?search_path=public&sslmode=disable

// The schema the SQLAlchemy models declare, as atlas-provider-sqlalchemy prints it. The provider's own
// `--path` loader re-executes each file of the folder and picks one MetaData at random, which breaks on keel's
// package (models/base.py declares Base; models/__init__.py imports the model modules), so this runs the provider's
// DDL printer over the package imported normally ("script mode").
data "external_schema" "sqlalchemy" {
  program = [
    "python", "-m", "keel.infrastructure.migrations.models_ddl",
    "src/keel/infrastructure/database/models",
  ]
}

locals {
  migration_dir = "file://migrations"
}

env "local" {
  src = data.external_schema.sqlalchemy.url
  url = getenv("ATLAS_DATABASE_URL")
  dev = getenv("ATLAS_DEV_URL")
  // keel's own history of applied files; Atlas keeps its history in atlas_schema_revisions.
  exclude = ["keel_schema_revisions"]
  migration {
    dir = local.migration_dir
  }
  format {
    migrate {
      diff = "{{ sql . \"  \" }}"
    }
  }
}

env "ci" {
  src     = data.external_schema.sqlalchemy.url
  url     = getenv("ATLAS_DATABASE_URL")
  dev     = getenv("ATLAS_DEV_URL")
  exclude = ["keel_schema_revisions"]
  migration {
    dir = local.migration_dir
  }
  lint {
    destructive {
      error = true
    }
  }
}
