"""Process records (办件过程信息): the stream every case is, and the one definition of its
events.

The case engine appends records here, branch halls push the same format through the
exchange API, and monitoring (and supervision) read them: so this app sits below
``cases``, ``exchange`` and ``monitoring`` and imports none of them (docs/architecture.md).
"""
