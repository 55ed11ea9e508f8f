-- A migration of the operator's own, beside kvbatch's.
CREATE TABLE mine (id INT);
