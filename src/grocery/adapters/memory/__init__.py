"""The shop's areas in memory, module for module as in adapters/sql, for fast tests of the services.

Each area's module holds its tables and its repositories; uow.py holds the store of them all
and the unit of work. Import a fake from the module that defines it.
"""
