"""Bank accounts and transfers: an invariant only optimistic concurrency protects, and a saga
across streams. `ACCOUNTS` (in `domain.accounts.domain`) is the Domain."""
