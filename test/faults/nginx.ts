/**
 * A real nginx (Debian's package) as the reverse proxy in front of several bot instances, started
 * by the test as a non-daemon child process with its own configuration file, pid file, temp paths
 * and logs in a temp folder, listening on a free loopback port. The system's nginx service is
 * never used.
 *
 * The configuration is what an operator would write for webhook mode: one upstream per instance,
 * a failed connection (a dead instance) passes the request to the next instance, a POST already
 * sent to an instance that then dies is answered 502 (nginx does not resend non-idempotent
 * requests) — and Telegram delivers the update again.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { userInfo } from "node:os";
import { delimiter, join } from "node:path";
import { terminate } from "./terminate.js";

/** The nginx binary on PATH or in the sbin folders, or null. */
export function findNginx(): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, "nginx");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The configuration for `upstreams` (ports on 127.0.0.1), everything under `dir`. */
export function nginxConfig(dir: string, port: number, upstreams: number[], path: string): string {
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : "";
  return `${user}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 512; }
http {
  log_format upstreams '$status $upstream_addr $upstream_status';
  access_log ${dir}/access.log upstreams;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream bots {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join("\n")}
  }
  server {
    listen 127.0.0.1:${port};
    location = ${path} {
      proxy_pass http://bots;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
    }
  }
}
`;
}

/** A running nginx (see the file comment). */
export class Nginx {
  private readonly stderr: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly port: number,
  ) {
    child.stderr!.on("data", (c: Buffer) => this.stderr.push(c.toString("utf8")));
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /** Starts nginx from `binary` and waits until it accepts connections. */
  static async start(binary: string, opts: { dir: string; port: number; upstreams: number[]; path: string }): Promise<Nginx> {
    mkdirSync(join(opts.dir, "tmp"), { recursive: true });
    const conf = join(opts.dir, "nginx.conf");
    writeFileSync(conf, nginxConfig(opts.dir, opts.port, opts.upstreams, opts.path));
    const child = spawn(binary, ["-p", opts.dir, "-e", join(opts.dir, "error.log"), "-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    const nginx = new Nginx(child, opts.dir, opts.port);
    const started = Date.now();
    let dead = false;
    void nginx.exited.then(() => (dead = true));
    while (!(await accepts(opts.port))) {
      if (dead || Date.now() - started > 30_000) {
        await nginx.stop();
        throw new Error(`nginx did not start: ${nginx.stderr.join("")}\n${nginx.errorLog()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return nginx;
  }

  /** The end of nginx's error log (upstream failures are logged there). */
  errorLog(lines = 20): string {
    try {
      return readFileSync(join(this.dir, "error.log"), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  /** Access log lines: "<status> <upstream addresses tried> <their statuses>" per request. */
  accessLog(): string[] {
    try {
      return readFileSync(join(this.dir, "access.log"), "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  }

  /** Fast shutdown (SIGTERM to the master, which ends its worker). */
  async stop(): Promise<void> {
    await terminate(this.child, this.exited);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
