"""Ports: what the core needs from the outside world, as typing.Protocols, one module per area.

Adapters implement them without inheriting from them; a service asks for the narrow ports it uses.
"""
