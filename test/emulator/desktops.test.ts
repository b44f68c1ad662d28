/**
 * Desktop listings: paging, filters, the two shapes, leftovers and desktops being deleted.
 */
import { RunningEmulator, startEmulator } from "../../src/emulator";
import { ManualClock, call } from "./client";

const clock = new ManualClock();
let emulator: RunningEmulator;
const P = "0123456789abcdef0123456789abcdef";
const list = (query: Array<[string, string]> = [], detail = false) =>
  call(emulator.url, { path: `/v2/${P}/desktops${detail ? "/detail" : ""}`, query, signAt: clock.date() });

beforeAll(async () => {
  emulator = await startEmulator({ now: clock.now });
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.control.reset();
  emulator.control.addTenant(P);
});

it("pages with limit and offset; total_count counts every match", async () => {
  for (let i = 0; i < 25; i++) emulator.control.addDesktop(P, { desktopId: `d-${i}` });
  const last = (await list([["limit", "10"], ["offset", "20"]])).json;
  expect(last.total_count).toBe(25);
  expect(last.desktops.map((d: any) => d.desktop_id)).toEqual(["d-20", "d-21", "d-22", "d-23", "d-24"]);
  expect((await list([["limit", "0"]])).json).toEqual({ total_count: 25, desktops: [] });
  expect((await list([["offset", "99"]])).json).toEqual({ total_count: 25, desktops: [] });
});

it("returns at most 1000 per page by default", async () => {
  for (let i = 0; i < 1003; i++) emulator.control.addDesktop(P);
  const first = (await list([], true)).json;
  expect(first.total_count).toBe(1003);
  expect(first.desktops).toHaveLength(1000);
  expect((await list([["offset", "1000"]], true)).json.desktops).toHaveLength(3);
});

it.each([
  ["limit", "1001"],
  ["limit", "-1"],
  ["limit", "ten"],
  ["offset", "1.5"],
])("refuses %s=%s with 400 WKS.0001", async (name, value) => {
  const reply = await list([[name, value]]);
  expect(reply.status).toBe(400);
  expect(reply.json).toMatchObject({ error_code: "WKS.0001", error_msg: expect.stringContaining(name) });
});

it("/desktops has no status fields; /desktops/detail has status and task_status", async () => {
  emulator.control.addDesktop(P, { desktopId: "d-1", userName: "alice", taskStatus: "deleting", status: "ACTIVE" });
  const [plain] = (await list()).json.desktops;
  expect(plain).toMatchObject({ desktop_id: "d-1", user_name: "alice", computer_name: expect.any(String), ip_address: expect.any(String), created: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) });
  expect(plain).not.toHaveProperty("status");
  expect(plain).not.toHaveProperty("task_status");
  const [detail] = (await list([], true)).json.desktops;
  expect(detail).toMatchObject({ desktop_id: "d-1", status: "ACTIVE", task_status: "deleting", login_status: "REGISTERED", attach_state: "ATTACHED" });
});

it("filters by desktop_type, user_name, computer_name and desktop_ip; detail also by status and desktop_id", async () => {
  emulator.control.addDesktop(P, { desktopId: "a", userName: "alice", computerName: "FIN-01", desktopType: "DEDICATED", ipAddress: "10.1.0.1" });
  emulator.control.addDesktop(P, { desktopId: "b", userName: "bob", computerName: "FIN-02", desktopType: "POOLED", ipAddress: "10.1.0.2", status: "SHUTOFF" });
  emulator.control.addDesktop(P, { desktopId: "c", computerName: "HR-01", status: "DELETED" });
  const ids = async (query: Array<[string, string]>, detail = false) => (await list(query, detail)).json.desktops.map((d: any) => d.desktop_id);
  expect(await ids([["desktop_type", "POOLED"]])).toEqual(["b"]);
  expect(await ids([["desktop_type", ""]])).toEqual(["a", "b", "c"]);
  expect(await ids([["user_name", "ali"]])).toEqual(["a"]);
  expect(await ids([["computer_name", "fin"]])).toEqual(["a", "b"]);
  expect(await ids([["desktop_ip", "10.1.0.2"]])).toEqual(["b"]);
  expect(await ids([["status", "shutoff"]], true)).toEqual(["b"]);
  expect(await ids([["desktop_id", "a"], ["desktop_id", "c"]], true)).toEqual(["a", "c"]);
  expect((await list([["computer_name", "FIN"], ["limit", "1"]])).json.total_count).toBe(2);
});

it("DELETED leftovers (any case) still list but leave the service closable", async () => {
  for (const status of ["DELETED", "deleted", "Deleted"]) emulator.control.addDesktop(P, { status });
  const detail = (await list([], true)).json;
  expect(detail.total_count).toBe(3);
  expect(detail.desktops.map((d: any) => d.status)).toEqual(["DELETED", "deleted", "Deleted"]);
  expect((await call(emulator.url, { path: `/v2/${P}/workspaces`, signAt: clock.date() })).json.closable).toBe(true);
});

it("deleteAfterMs: the desktop lists as deleting until its time, then vanishes and the service becomes closable", async () => {
  emulator.control.addDesktop(P, { desktopId: "going", deleteAfterMs: 1_500 });
  const workspace = async () => (await call(emulator.url, { path: `/v2/${P}/workspaces`, signAt: clock.date() })).json;
  expect((await list([], true)).json.desktops).toEqual([expect.objectContaining({ desktop_id: "going", task_status: "deleting" })]);
  expect((await workspace()).closable).toBe(false);
  clock.advance(1_499);
  expect((await list()).json.total_count).toBe(1);
  clock.advance(1);
  expect((await list()).json).toEqual({ total_count: 0, desktops: [] });
  expect((await workspace()).closable).toBe(true);
  expect(emulator.control.state(P).desktops).toEqual([]);
});

it("removeDesktop takes one desktop away and says whether it found it", async () => {
  emulator.control.addDesktop(P, { desktopId: "x" });
  emulator.control.addDesktop(P, { desktopId: "y" });
  expect(emulator.control.removeDesktop(P, "x")).toBe(true);
  expect(emulator.control.removeDesktop(P, "x")).toBe(false);
  expect((await list()).json.desktops.map((d: any) => d.desktop_id)).toEqual(["y"]);
  expect(() => emulator.control.addDesktop(P, { desktopId: "y" })).toThrow(/already exists/);
});
