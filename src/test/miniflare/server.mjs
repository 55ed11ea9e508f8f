// Starts Miniflare with one KV namespace and its Local Explorer: Cloudflare's own implementation of the KV REST API,
// served under /cdn-cgi/local/explorer/api. kvbatch talks to it with kvbatch.cloudflare.namespace-url.
//
//   node server.mjs [--host 127.0.0.1] [--port 8787] [--namespace ID] [--persist DIR] [--exit-with-stdin]
//
// Prints one line on stdout once it listens, for scripts and the conformance suite:
//   {"url":"http://127.0.0.1:8787/","namespaceUrl":"http://127.0.0.1:8787/cdn-cgi/local/explorer/api/storage/kv/namespaces/ID"}
// and how to point kvbatch at it on stderr. Stops on SIGINT or SIGTERM, and with --exit-with-stdin when its
// standard input closes (so that it never outlives the test that started it).
import { parseArgs } from "node:util";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";

const { values: args } = parseArgs({
	options: {
		host: { type: "string", default: "127.0.0.1" },
		port: { type: "string", default: "8787" },
		namespace: { type: "string", default: "0f2ac7d1e9b84a6c9d3e5f7a1b2c4d6e" },
		persist: { type: "string" },
		"exit-with-stdin": { type: "boolean", default: false },
	},
});

const miniflare = new Miniflare(
	convertV4MiniflareOptions({
		modules: true,
		script: "export default { fetch() { return new Response('kvbatch: Miniflare with a KV namespace'); } }",
		kvNamespaces: { KV: args.namespace },
		unsafeLocalExplorer: true,
		host: args.host,
		port: Number(args.port),
		...(args.persist ? { resourcePersistencePath: args.persist } : {}),
	}),
);

let stopping = false;
async function stop() {
	if (stopping) {
		return;
	}
	stopping = true;
	try {
		await miniflare.dispose();
	} finally {
		process.exit(0);
	}
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
if (args["exit-with-stdin"]) {
	process.stdin.on("end", stop);
	process.stdin.on("error", stop);
	process.stdin.resume();
}

let url;
try {
	url = await miniflare.ready;
} catch (error) {
	if (stopping) {
		// Asked to stop while starting: nothing to report.
		await new Promise(() => {});
	}
	throw error;
}
const namespaceUrl = new URL(`cdn-cgi/local/explorer/api/storage/kv/namespaces/${args.namespace}`, url).href;
process.stdout.write(JSON.stringify({ url: url.href, namespaceUrl }) + "\n");
process.stderr.write(
	[
		`Miniflare's Local Explorer serves KV namespace ${args.namespace} at ${namespaceUrl}`,
		"Point kvbatch at it (Miniflare checks no token, but kvbatch needs one):",
		"  export KVBATCH_TARGET=cloudflare",
		`  export KVBATCH_CLOUDFLARE_NAMESPACE_URL=${namespaceUrl}`,
		"  export CLOUDFLARE_API_TOKEN=miniflare-checks-no-token-0123456789abcd",
		"",
	].join("\n"),
);
