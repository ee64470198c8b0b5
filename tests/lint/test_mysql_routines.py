"""MySQL routines as generate and mysqldump write them: sqlglot cannot read many of
them, and lint judges none of their bodies."""

import pytest

from tests.lint.cases import lint_sql


@pytest.mark.parametrize(
    "routine",
    [
        "CREATE PROCEDURE `p`(IN a INT UNSIGNED, OUT b INT) MODIFIES SQL DATA\nl: BEGIN\n"
        "  IF a IS NULL THEN LEAVE l; END IF;\n  SET b = a;\nEND",
        "CREATE DEFINER=`root`@`localhost` FUNCTION f(p INT UNSIGNED) RETURNS int NO SQL\n"
        "BEGIN\n  DECLARE i INT DEFAULT 0;\n  REPEAT SET i = i + 1; UNTIL i > p END REPEAT;\n"
        "  RETURN i;\nEND",
        "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `t_bi`"
        " BEFORE INSERT ON t FOR EACH ROW BEGIN\n  DECLARE CONTINUE HANDLER FOR NOT FOUND"
        " BEGIN END;\n  SET NEW.a = 1;\nEND */",
    ],
    ids=["labelled-procedure", "repeat-function", "dumped-trigger"],
)
def test_a_mysql_routine_sqlglot_cannot_read_is_no_parse_error(routine: str) -> None:
    """What ``generate`` and mysqldump write for routines (UNSIGNED parameters, labels,
    REPEAT, handlers): no rule judges a routine's body, and sqlglot (30) fails on it."""
    text = f"DELIMITER ;;\n{routine} ;;\nDELIMITER ;"
    found = lint_sql(text, "mysql", transactional=False)
    assert [f.rule for f in found if f.rule == "parse-error"] == []
