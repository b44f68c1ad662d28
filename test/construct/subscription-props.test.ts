import { TerraformStack, Testing } from "cdktf";
import { AccessMode, DomainType, SubscriptionProps, WorkspaceSubscription, WorkspaceSubscriptionProps } from "../../src";

const PROJECT = "0123456789abcdef0123456789abcdef";
const AD: SubscriptionProps = {
  domainType: DomainType.LOCAL_AD,
  activeDirectory: {
    domainName: "corp.example.com",
    adminAccount: "wksadmin",
    passwordEnv: "WORKSPACE_AD_PASSWORD",
    activeDomainIp: "10.0.0.10",
    activeDomainName: "dc01",
    activeDnsIp: "10.0.0.11",
    deleteComputerObject: true,
  },
  vpcId: "vpc-1",
  subnetIds: ["subnet-a", "subnet-b"],
  accessMode: AccessMode.BOTH,
  enterpriseId: "acme_corp",
  dedicatedSubnets: ["192.168.0.0/24", "10.1.0.0/16"],
};

function synth(props: Partial<WorkspaceSubscriptionProps>) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "t");
  new WorkspaceSubscription(stack, "w", { region: "cn-north-4", ...props } as WorkspaceSubscriptionProps);
  const json = JSON.parse(Testing.synth(stack));
  const resource = Object.values(json.resource.null_resource)[0] as any;
  const create = resource.provisioner[0]["local-exec"];
  return { resource, create, text: JSON.stringify(json) };
}

describe("subscription prop", () => {
  test("the create step receives the ApplyWorkspace body (Huawei's field names) and the NAME of the password variable", () => {
    const { create, resource } = synth({ projectId: PROJECT, subscription: AD });
    const spec = JSON.parse(create.environment.HW_WORKSPACE_SUBSCRIPTION);
    expect(spec).toEqual({
      domainPasswordEnv: "WORKSPACE_AD_PASSWORD",
      body: {
        ad_domains: {
          domain_type: "LOCAL_AD",
          domain_name: "corp.example.com",
          domain_admin_account: "wksadmin",
          active_domain_ip: "10.0.0.10",
          active_domain_name: "dc01",
          active_dns_ip: "10.0.0.11",
          delete_computer_object: 1,
        },
        vpc_id: "vpc-1",
        subnet_ids: [{ subnet_id: "subnet-a" }, { subnet_id: "subnet-b" }],
        access_mode: "BOTH",
        enterprise_id: "acme_corp",
        dedicated_subnets: "192.168.0.0/24;10.1.0.0/16",
      },
    });
    expect(resource.triggers).toEqual({ project_id: PROJECT, region: "cn-north-4" });
    // the destroy step does not carry the subscription
    expect(resource.provisioner[1]["local-exec"].environment.HW_WORKSPACE_SUBSCRIPTION).toBeUndefined();
  });

  test("the password itself is never in the output, even when set while synthesizing", () => {
    process.env.WORKSPACE_AD_PASSWORD = "Sup3r-Secret-AD-Passw0rd";
    try {
      const { text } = synth({ projectId: PROJECT, subscription: AD });
      expect(text).not.toContain("Sup3r-Secret-AD-Passw0rd");
      expect(text).not.toContain("domain_password\\\":");
    } finally {
      delete process.env.WORKSPACE_AD_PASSWORD;
    }
  });

  test("changing the subscription leaves the triggers alone", () => {
    const a = synth({ projectId: PROJECT, subscription: AD }).resource.triggers;
    const b = synth({ projectId: PROJECT, subscription: { domainType: DomainType.LITE_AS } }).resource.triggers;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  test("without projectId the identity is stable and the runtime looks the project up", () => {
    const { resource } = synth({});
    expect(resource.triggers).toEqual({ project_id: "", region: "cn-north-4" });
    expect(resource.provisioner[1]["local-exec"].environment.HW_PROJECT_ID).toBe("${self.triggers.project_id}");
  });

  test.each<[string, SubscriptionProps, RegExp]>([
    ["LOCAL_AD without AD", { domainType: DomainType.LOCAL_AD }, /activeDirectory is required with DomainType.LOCAL_AD/],
    ["AD with LITE_AS", { ...AD, domainType: DomainType.LITE_AS }, /only for DomainType.LOCAL_AD/],
    ["bad domain type", { domainType: "AZURE" as DomainType }, /domainType must be/],
    ["password instead of a variable name", { ...AD, activeDirectory: { ...AD.activeDirectory!, passwordEnv: "hunter2 !" } }, /passwordEnv must NAME an environment variable/],
    ["bad DC address", { ...AD, activeDirectory: { ...AD.activeDirectory!, activeDomainIp: "10.0.0.300" } }, /activeDomainIp "10.0.0.300" is not an IPv4 address/],
    ["bad enterprise id", { domainType: DomainType.LITE_AS, enterpriseId: "acme corp" }, /enterpriseId "acme corp" must be 1 to 32/],
    ["too many dedicated subnets", { domainType: DomainType.LITE_AS, dedicatedSubnets: ["1.0.0.0/8", "2.0.0.0/8", "3.0.0.0/8", "4.0.0.0/8", "5.0.0.0/8", "6.0.0.0/8"] }, /at most 5/],
    ["bad CIDR", { domainType: DomainType.LITE_AS, dedicatedSubnets: ["10.0.0.0"] }, /not an IPv4 CIDR/],
    ["bad access mode", { domainType: DomainType.LITE_AS, accessMode: "VPN" as AccessMode }, /accessMode must be INTERNET, DEDICATED or BOTH/],
  ])("%s is refused", (_name, subscription, message) => {
    expect(() => synth({ projectId: PROJECT, subscription })).toThrow(message);
  });
});
