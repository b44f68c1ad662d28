/**
 * Finding a project's ID from its region: Huawei names a region's default project
 * after the region, so `GET /v3/projects?name={region}` must return exactly one.
 */
import { EXIT } from "./contract";
import { ExitError } from "./errors";
import { ApiClient } from "./http";

export async function lookUpProjectId(iam: ApiClient, region: string): Promise<string> {
  const res = await iam.request("GET", "/v3/projects", { retry: "read", query: [["name", region]] });
  const body = res.body as { projects?: Array<{ id?: unknown; name?: unknown; enabled?: unknown }> } | undefined;
  const matches = (Array.isArray(body?.projects) ? body!.projects : []).filter((p) => p && p.name === region && typeof p.id === "string");
  if (matches.length === 1) return matches[0].id as string;
  const found = matches.map((p) => String(p.id)).join(", ");
  throw new ExitError(
    EXIT.badInput,
    matches.length === 0 ? "project-not-found" : "project-ambiguous",
    matches.length === 0
      ? `No IAM project named "${region}" is visible to these credentials, so the project ID cannot be found from the region. Nothing was changed. Check the region, or pass the project ID (--project-id, HW_PROJECT_ID, or the construct's projectId).`
      : `${matches.length} IAM projects are named "${region}" (${found}); the project ID cannot be chosen from the region alone. Nothing was changed. Pass the project ID explicitly (--project-id, HW_PROJECT_ID, or the construct's projectId).`,
  );
}
