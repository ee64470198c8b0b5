DROP SEQUENCE `ticket_seq`;
