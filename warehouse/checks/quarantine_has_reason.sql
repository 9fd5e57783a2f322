-- quarantine: every row names its batch, file and reason.
-- params: none (checked whole on every write that can change its tables: cheap even at a million rows).
select batch_id, file, line from quarantine where batch_id is null or file is null or reason is null or reason = ''
