-- An e-commerce database on MySQL/MariaDB: customers, products, orders, stock kept by a
-- trigger, an order total function and a view over it.
CREATE TABLE customers (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email varchar(200) NOT NULL UNIQUE,
    name varchar(200) NOT NULL
);
CREATE TABLE products (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sku varchar(40) NOT NULL UNIQUE,
    title varchar(200) NOT NULL,
    price decimal(12,2) NOT NULL CHECK (price >= 0),
    stock int NOT NULL DEFAULT 0
);
CREATE TABLE orders (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id bigint NOT NULL,
    status enum('cart','placed','paid','shipped') NOT NULL DEFAULT 'cart',
    placed_at datetime NULL,
    KEY ix_orders_customer (customer_id),
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
CREATE FUNCTION order_total(o bigint) RETURNS decimal(14,2) READS SQL DATA
    RETURN (SELECT coalesce(sum(quantity * unit_price), 0) FROM order_lines WHERE order_id = o);
CREATE VIEW order_totals AS
    SELECT id, customer_id, status, order_total(id) AS total FROM orders;
