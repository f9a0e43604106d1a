"""Transactions: several files written (and deleted) all or nothing, completed after a crash.

Every writer of the project commits through :class:`Transaction` (``files.write_all`` and
``files.write_*_atomic`` are one-call forms of it), under the checkout's lock (``lock``).
The protocol is a redo journal (``ops`` holds the disk operations, ``recovery`` the
recovery):

1. **stage** — each new file is written beside its target as ``.aicities-XXXXXXXX.tmp``
   (fixed length, so a long file name cannot hit ENAMETOOLONG) and fsynced. Its name, and
   every folder created for it, is first appended to the staging log
   ``<home>/.aicities.staging``, so no staged file is ever unknown to recovery.
2. **commit point** — the staged files' folders are fsynced; the journal (target ← staged
   name, files to delete) is written to ``.aicities.journal.tmp``, fsynced, renamed to
   ``.aicities.journal``, and the home folder fsynced. From then on the transaction happens.
3. **apply** — each staged file is renamed over its target, deleted files are unlinked and
   folders they leave empty removed (below ``home`` only), the touched folders fsynced.
4. **end** — the journal, then the staging log, are unlinked.

``recover`` runs at the start of every transaction and of every CLI verb in a checkout
(``session``): a journal is rolled forward (step 3 is idempotent: a staged file already
renamed is simply gone), a staging log without a journal is rolled back (its staged files and
the empty folders made for them removed). A crash during recovery is recovered the same way
next time. So after a kill at any point, once the next command has run, the files are all
old or all new and no staging file is left. ``home`` is the checkout root or, outside a
checkout, the nearest existing folder holding every target (see ``home_for``).

``ops.fault_hook`` is the test suite's crash injector (as SQLite's test VFS): called as
``fault_hook(op, path)`` before each operation that changes the disk or makes it durable.
"""

from aicities.txn.lock import DEFAULT_TIMEOUT, LockTimeout, checkout_lock
from aicities.txn.ops import JOURNAL, JOURNAL_TMP, STAGING_LOG, is_staging_name
from aicities.txn.recovery import Recovery, pending, recover, recover_checkout, session
from aicities.txn.transaction import Transaction, home_for, is_checkout, write_files

__all__ = [
    "DEFAULT_TIMEOUT", "JOURNAL", "JOURNAL_TMP", "STAGING_LOG", "LockTimeout", "Recovery",
    "Transaction", "checkout_lock", "home_for", "is_checkout", "is_staging_name", "pending",
    "recover", "recover_checkout", "session", "write_files",
]
