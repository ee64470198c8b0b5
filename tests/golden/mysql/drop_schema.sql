DROP DATABASE `old archive`;
