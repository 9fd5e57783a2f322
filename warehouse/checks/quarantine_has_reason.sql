-- quarantine: every row names its batch, file and reason.
select batch_id, file, line from quarantine where batch_id is null or file is null or reason is null or reason = ''
