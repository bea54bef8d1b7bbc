-- 19 an actor's newest audit entries in index order.
--
-- A user's activity feed is a copy of the newest entries that the user
-- wrote; when Redis lost it, or it expired, it is read again from here
-- (`list_recent_audit_by_user_id`: newest 100 first). With the plan's index
-- on `user_id` alone that read sorts every entry the user ever wrote. The
-- plan's index keeps its name and its use (entries by actor), and gains the
-- order, instead of a second index that every command's audit insert would
-- also have to maintain.
DROP INDEX idx_audit_logs_user_id;
CREATE INDEX idx_audit_logs_user_id ON audit_logs(user_id, created_at DESC, id DESC);
