"""Optional PostgreSQL range partitioning of ``xapi_statements`` by ``stored``.

``learnloop db partition-statements`` converts the table once (conversion); the
``xapi.statement-partitions`` job keeps partitions ready for the coming intervals
(upcoming, tasks). SQLite and unconverted PostgreSQL databases never touch this code on
the request path: statement reads and writes are the same SQL either way.
"""
