CREATE TABLE account (id int PRIMARY KEY, balance decimal(10,2), code varchar(20), region varchar(20),
    CONSTRAINT balance_positive CHECK (balance > -100), UNIQUE KEY account_region_code (region, code));
CREATE TABLE entry (id int PRIMARY KEY, account_id int, other_id int,
    CONSTRAINT entry_account FOREIGN KEY (account_id) REFERENCES account (id) ON DELETE RESTRICT,
    CONSTRAINT entry_other FOREIGN KEY (other_id) REFERENCES account (id) ON UPDATE CASCADE);
