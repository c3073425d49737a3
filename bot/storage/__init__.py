"""Everything Vraagbaak keeps about people and answers, kept one way.

- engines.py: how a connection is made (SQLite files by default: 0600, WAL, secure_delete, busy
  timeout, foreign keys; PostgreSQL with `VRAAGBAAK_DATABASE_URL=postgresql://…`: one database for
  every store and replica, writers serialised by an advisory lock, VACUUM FULL after an erasure)
- database.py: `Database` (read and write transactions, migrations, clean-up after an erasure)
  and `Storage` (which database each store gets)
- migrations.py: named steps, recorded per database, written once for every engine
- stores.py: `Store` and `PersonalStore` (export / forget / purge), `Person`
- personal.py: `PersonalData`, the registry that `vraagbaak privacy` and the daily purge loop over
- files.py: files written whole and atomically, under locks every process respects
"""
