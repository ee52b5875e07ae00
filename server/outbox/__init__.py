"""The outbox: messages written with the change that causes them, sent by the workers."""
