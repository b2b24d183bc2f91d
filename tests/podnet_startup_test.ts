import assert from "node:assert/strict";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FIXTURE, NS, PERMISSIONS, ROOT } from "./_helpers/podnet_cli.ts";

const CLI = fileURLToPath(new URL("../adapters/cli/", import.meta.url));

/** Every module `root` imports statically (dynamic imports are loaded only when reached). */
async function staticGraph(root: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  assert.equal(out.code, 0);
  const info: {
    modules: {
      specifier: string;
      dependencies?: { isDynamic?: boolean; code?: { specifier: string } }[];
    }[];
    redirects: Record<string, string>;
  } = JSON.parse(new TextDecoder().decode(out.stdout));
  const byUrl = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (url: string) => {
    const u = info.redirects[url] ?? url;
    if (seen.has(u)) return;
    seen.add(u);
    for (const d of byUrl.get(u)?.dependencies ?? []) {
      if (d.isDynamic !== true && d.code !== undefined) visit(d.code.specifier);
    }
  };
  visit(pathToFileURL(root).href);
  return [...seen];
}

Deno.test("podnet status loads no controller, host, simulator, FFI, LogTape, OpenTelemetry or Node.js module but node:util", async () => {
  const modules = [
    ...await staticGraph(`${CLI}podnet.ts`),
    ...await staticGraph(`${CLI}_status.ts`),
  ];
  const heavy = modules.filter((m) =>
    /network_controller|create_ports|\/(ffi|sim|dll)\/|\/guest\/|\/hcn\/|\/hcs\/|_compiled_schema/
      .test(
        m,
      ) ||
    /^npm:\/?(@logtape|@opentelemetry)|^node:(?!util$)/.test(m)
  );
  assert.deepEqual(heavy, []);
});

Deno.test("the entry loads no command until one is named", async () => {
  const modules = await staticGraph(`${CLI}podnet.ts`);
  assert.ok(modules.every((m) => !/zod|snapshot|_status|_setup|_teardown|_recover|_sim/.test(m)));
});

Deno.test({
  name: "the bundle of deno task bundle sets up, shows and tears down a pod, leaving nothing",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "podnet-bundle-" });
    try {
      const bundle = await new Deno.Command(Deno.execPath(), {
        args: [
          "bundle",
          "--quiet",
          "--platform=deno",
          "--code-splitting",
          `--outdir=${dir}/dist`,
          `${CLI}podnet.ts`,
        ],
        cwd: ROOT,
        stderr: "piped",
      }).output();
      assert.equal(bundle.code, 0, new TextDecoder().decode(bundle.stderr));
      await Deno.mkdir(`${dir}/state`);
      // Run from elsewhere, as an installed script is: no config file, no source beside it.
      const run = async (...args: string[]) => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", ...PERMISSIONS, `${dir}/dist/podnet.js`, ...args],
          cwd: dir,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout);
        assert.equal(out.code, 0, `${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
        return text;
      };
      const sim = ["--sim-state", `${dir}/host.json`];
      const flags = ["--host", "sim", ...sim, "--state-dir", `${dir}/state`];
      await run("sim", "init", ...sim, "--fixture", FIXTURE, "--guest", "lcow");
      const setup = JSON.parse(
        await run(
          "setup",
          "--pod",
          "p",
          "--namespace",
          NS,
          "--vm",
          "podnet-uvm-1",
          "--guest",
          "lcow",
          "--json",
          ...flags,
        ),
      );
      assert.equal(setup.bindings.length, 3);
      const status = JSON.parse(
        await run("status", "--pod", "p", "--json", "--state-dir", `${dir}/state`),
      );
      assert.equal(status.state, "Configured");
      await run("teardown", "--pod", "p", ...flags);
      const inventory = JSON.parse(await run("sim", "inventory", ...sim, "--json"));
      assert.deepEqual(inventory, {
        vmNics: [],
        guestAdapters: [],
        guestNamespaces: [],
        openHandles: 0,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
