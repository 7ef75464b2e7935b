"""Moderation use cases: flags, the review queue, actions on content and people, audit.

Modules: `audit` (the append-only trail every action writes in its own transaction), `flags`
(members report items), `content` (hide, restore, delete, edit, lock, pin, move, keep),
`people` (warn, suspend, ban, lift), `queue` (what moderators review), `automod` (the flag
threshold, the word list and the stricter limits for new members).
"""
