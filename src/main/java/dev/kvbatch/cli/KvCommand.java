package dev.kvbatch.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.kv.KvReads;
import dev.kvbatch.kv.KvTarget;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ConfigurableApplicationContext;

@Command(name = "kv", mixinStandardHelpOptions = true, description = "Reads the configured target.",
		subcommands = { KvCommand.Get.class, KvCommand.ListKeys.class })
class KvCommand implements Runnable {

	@ParentCommand
	KvBatchCommand parent;

	@Spec
	CommandSpec spec;

	@Override
	public void run() {
		this.spec.commandLine().usage(this.spec.commandLine().getErr());
		throw new CommandException(ExitCodes.USAGE, "kv needs a subcommand: get or list");
	}

	@Command(name = "get", mixinStandardHelpOptions = true,
			description = "Prints the value of a key; exit 2 when the target has no such key.")
	static class Get implements Callable<Integer> {

		@ParentCommand
		KvCommand kv;

		@Spec
		CommandSpec spec;

		@Parameters(paramLabel = "KEY")
		String key;

		@Override
		public Integer call() {
			try (ConfigurableApplicationContext context = this.kv.parent.contexts.full()) {
				String target = context.getBean(KvBatchProperties.class).target().label();
				var value = context.getBean(KvTarget.class)
					.get(this.key)
					.orElseThrow(() -> new CommandException(ExitCodes.USAGE,
							"no key \"%s\" in the %s target; kvbatch kv list shows the keys there".formatted(this.key,
									target)));
				this.spec.commandLine().getOut().println(value.value());
				if (value.base64()) {
					// Bytes that are not text would garble a terminal: shown as base64,
					// said so.
					this.spec.commandLine()
						.getErr()
						.println("(\"%s\" holds %d bytes that are not UTF-8 text, shown as base64)".formatted(this.key,
								value.bytes().length));
				}
				return ExitCodes.OK;
			}
		}

	}

	@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists keys in byte order.")
	static class ListKeys implements Callable<Integer> {

		@ParentCommand
		KvCommand kv;

		@Spec
		CommandSpec spec;

		@Option(names = "--prefix", paramLabel = "P", defaultValue = "", description = "only keys starting with P")
		String prefix;

		@Option(names = "--json", description = "one JSON object per line: key, value, expiration")
		boolean json;

		@Override
		public Integer call() {
			try (ConfigurableApplicationContext context = this.kv.parent.contexts.full()) {
				KvTarget target = context.getBean(KvTarget.class);
				JsonMapper mapper = context.getBean(JsonMapper.class);
				PrintWriter out = this.spec.commandLine().getOut();
				String cursor = null;
				do {
					KvTarget.ListPage page = target.list(this.prefix, cursor, 1000);
					if (this.json) {
						// KV lists names only: the values are read 100 keys at a time, in
						// fewer when an answer would pass 25 MiB. A key deleted between
						// list and read is left out. An answer in KV's plain form has no
						// expirations; the listing has them.
						Map<String, @Nullable Long> listed = new LinkedHashMap<>();
						page.keys().forEach((key) -> listed.put(key.key(), key.expiration()));
						for (KvTarget.StoredValue value : KvReads.bulkGet(target, List.copyOf(listed.keySet()))) {
							Map<String, Object> line = new LinkedHashMap<>();
							line.put("key", value.key());
							line.put("value", value.value());
							if (value.base64()) {
								line.put("base64", true);
							}
							line.put("expiration",
									(value.expiration() != null) ? value.expiration() : listed.get(value.key()));
							out.println(mapper.writeValueAsString(line));
						}
					}
					else {
						page.keys().forEach((key) -> out.println(key.key()));
					}
					cursor = page.cursor();
				}
				while (cursor != null);
				return ExitCodes.OK;
			}
		}

	}

}
