"""The version of what the reader makes of a record.

The importer's content hash of a contract is its raw record's bytes plus this version (and the record's
format, kind and flag codes): the same source read by the same reader gives the same columns, so hashing
every normalised column again would be wasted work. **Change this string whenever the reader's output for
a record changes** (a new cleaning rule, a new flag, a field read differently): stored contracts are then
rewritten with the better reading at their next import. tests/decp/test_reader_version.py fails when the
output of the test files changes and this version does not.
"""

READER_VERSION = "2026.11.1"
