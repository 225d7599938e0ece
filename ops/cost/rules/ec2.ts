import { CostError } from '../prices';
import { num, ofType, perMonth, price, props, target, type RuleContext } from './context';

type Properties = Record<string, unknown>;

/** A public IPv4 address, from the subnet's default or the instance's own network interface. */
function hasPublicAddress(ctx: RuleContext, p: Properties): boolean {
  const subnet = ctx.resources[target(p.SubnetId) ?? ''];
  return (
    (subnet?.Properties as { MapPublicIpOnLaunch?: unknown } | undefined)?.MapPublicIpOnLaunch === true ||
    (Array.isArray(p.NetworkInterfaces) &&
      p.NetworkInterfaces.some(
        (n: { AssociatePublicIpAddress?: unknown }) => n.AssociatePublicIpAddress === true,
      ))
  );
}

/** EBS volumes by the GB-month of their type. */
function priceVolumes(ctx: RuleContext, id: string, p: Properties): void {
  for (const mapping of (p.BlockDeviceMappings ?? []) as {
    Ebs?: { VolumeSize?: unknown; VolumeType?: string };
  }[]) {
    if (!mapping.Ebs) continue;
    const volumeType = mapping.Ebs.VolumeType ?? 'gp2';
    const size = num(mapping.Ebs.VolumeSize, 8);
    const key = `ebs.${volumeType}GbMonth`;
    if (!ctx.prices.prices[key])
      throw new CostError(`No price for EBS ${volumeType} volumes in the price table: add "${key}"`);
    ctx.lines.push({
      category: 'EBS',
      item: `${id} ${volumeType} volume`,
      quantity: `${size} GB`,
      usdPerHour: size * perMonth(ctx, key),
      resources: [id],
    });
  }
}

/** Instances by the hour of their type, with their public address and volumes. */
export function priceInstances(ctx: RuleContext): void {
  for (const [id, r] of ofType(ctx, 'AWS::EC2::Instance')) {
    const p = props(r);
    const type = typeof p.InstanceType === 'string' ? p.InstanceType : 'm1.small';
    if (!ctx.prices.prices[`ec2.${type}`]) {
      throw new CostError(`No price for EC2 instance type ${type} in the price table: add "ec2.${type}"`);
    }
    ctx.lines.push({
      category: 'EC2 instances',
      item: `${id} (${type})`,
      quantity: '1 instance-hour',
      usdPerHour: price(ctx, `ec2.${type}`),
      resources: [id],
    });
    if (hasPublicAddress(ctx, p)) {
      ctx.lines.push({
        category: 'Public IPv4',
        item: `${id} public address`,
        quantity: '1 address-hour',
        usdPerHour: price(ctx, 'ec2.publicIpv4Hour'),
        resources: [id],
      });
    }
    priceVolumes(ctx, id, p);
  }
}
