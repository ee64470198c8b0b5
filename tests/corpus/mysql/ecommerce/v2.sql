-- Release 2: the foreign key's index replaced (error 1553 if dropped first), a price
-- history trigger, a view over the totals view (recreated in order when the totals view
-- changes), an invoker-rights checked view, a deterministic helper function.
CREATE TABLE customers (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email varchar(200) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    vip tinyint(1) NOT NULL DEFAULT 0
);
CREATE TABLE products (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sku varchar(40) NOT NULL UNIQUE,
    title varchar(200) NOT NULL,
    price decimal(12,2) NOT NULL CHECK (price >= 0),
    stock int NOT NULL DEFAULT 0
);
CREATE TABLE price_history (
    product_id bigint NOT NULL,
    old_price decimal(12,2),
    new_price decimal(12,2),
    changed_at timestamp NOT NULL DEFAULT current_timestamp(),
    KEY ix_price_history_product (product_id)
);
CREATE TABLE orders (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id bigint NOT NULL,
    status enum('cart','placed','paid','packed','shipped','delivered') NOT NULL DEFAULT 'cart',
    placed_at datetime NULL,
    KEY ix_orders_customer_placed (customer_id, placed_at),
    CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE TABLE order_lines (
    order_id bigint NOT NULL,
    product_id bigint NOT NULL,
    quantity int NOT NULL,
    unit_price decimal(12,2) NOT NULL,
    PRIMARY KEY (order_id, product_id),
    CONSTRAINT fk_lines_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
    CONSTRAINT fk_lines_product FOREIGN KEY (product_id) REFERENCES products (id)
);
CREATE TRIGGER order_lines_stock AFTER INSERT ON order_lines FOR EACH ROW
    UPDATE products SET stock = stock - NEW.quantity WHERE id = NEW.product_id;
CREATE TRIGGER products_price AFTER UPDATE ON products FOR EACH ROW
    INSERT INTO price_history (product_id, old_price, new_price)
    VALUES (NEW.id, OLD.price, NEW.price);
CREATE FUNCTION order_total(o bigint) RETURNS decimal(14,2) READS SQL DATA
    RETURN (SELECT coalesce(sum(quantity * unit_price), 0) FROM order_lines WHERE order_id = o);
CREATE FUNCTION with_tax(x decimal(14,2)) RETURNS decimal(14,2) DETERMINISTIC NO SQL
    RETURN x * 1.2;
CREATE VIEW order_totals AS
    SELECT id, customer_id, status, order_total(id) AS total, with_tax(order_total(id)) AS gross
    FROM orders;
CREATE VIEW customer_value AS
    SELECT customer_id, sum(gross) AS lifetime FROM order_totals GROUP BY customer_id;
CREATE SQL SECURITY INVOKER VIEW big_orders AS
    SELECT id, customer_id, total FROM order_totals WHERE total > 100 WITH CASCADED CHECK OPTION;
