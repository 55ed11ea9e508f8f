package dev.kvbatch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import javax.sql.DataSource;

import org.springframework.batch.infrastructure.item.database.Order;
import org.springframework.batch.infrastructure.item.database.builder.JdbcPagingItemReaderBuilder;
import org.springframework.jdbc.core.RowMapper;

/**
 * A query a paging reader runs, held by the owner of the table it reads, so the job that
 * pages it holds no SQL: the parts a {@link JdbcPagingItemReaderBuilder} takes, with
 * named parameters, sort keys (unique together, ascending, in order) and the row mapper.
 *
 * @param <T> what a row becomes
 * @param select the {@code SELECT} list, without the keyword
 * @param from the {@code FROM} clause, without the keyword
 * @param where the {@code WHERE} clause, without the keyword
 * @param sortKeys the columns the pages are ordered by, ascending
 * @param rowMapper reads a row in the order of {@code select}
 */
public record PagedQuery<T>(String select, String from, String where, List<String> sortKeys, RowMapper<T> rowMapper) {

	/** The same query, each row turned into something else. */
	public <R> PagedQuery<R> map(Function<? super T, R> then) {
		RowMapper<T> rows = this.rowMapper;
		return new PagedQuery<>(this.select, this.from, this.where, this.sortKeys,
				(rs, row) -> then.apply(rows.mapRow(rs, row)));
	}

	/**
	 * A reader builder set up with this query; the caller adds the parameter values, the
	 * page size and whether it saves its state.
	 */
	public JdbcPagingItemReaderBuilder<T> reader(String name, DataSource dataSource) {
		Map<String, Order> order = new LinkedHashMap<>();
		this.sortKeys.forEach((key) -> order.put(key, Order.ASCENDING));
		return new JdbcPagingItemReaderBuilder<T>().name(name)
			.dataSource(dataSource)
			.selectClause(this.select)
			.fromClause(this.from)
			.whereClause(this.where)
			.sortKeys(order)
			.rowMapper(this.rowMapper);
	}

}
