/**
 * SQL repositories of the logical store, one owner per table: live logical entries
 * ({@code kv_entry}), the physical keys they dirty ({@code kv_dirty}), what KV holds
 * ({@code kv_physical}), the cursors ({@code kv_cursor}), the keys a migration loaded
 * ({@code kv_migrated}) and how far it listed each rule ({@code kv_migration}), the write
 * ages and breaches ({@code kv_write_age}, {@code kv_breach}), the physical views that
 * turn entries into the values a target stores, retention, and the Flyway migrations
 * written in Java. No KV calls: {@code flush} and {@code migrate} combine these with the
 * port.
 */
@NullMarked
package dev.kvbatch.store;

import org.jspecify.annotations.NullMarked;
