import {
  notAuthorizedMessage,
  queryError,
  queryParams,
  queryResponse,
  requestBody,
  xmlEscape,
} from './protocols';
import type { AwsRequest, AwsResponse, AwsService } from './service';

/**
 * Amazon SNS behind the local endpoint, as far as the local run needs it: the stacks' topics
 * answer GetTopicAttributes (so tools can check the alarm topic is there and readable), each
 * request decided by IAM. Nothing is published locally: alarms are not evaluated.
 */

export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

export interface SnsServiceOptions {
  /** The topics' ARNs. */
  readonly topics: () => readonly string[];
}

export class SnsService implements AwsService {
  readonly signingNames = ['sns'];

  constructor(private readonly options: SnsServiceOptions) {}

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const params = queryParams({ body: requestBody(request), query: request.query });
    const action = params.get('Action') ?? '';
    if (action !== 'GetTopicAttributes') {
      return queryError(
        {
          code: 'InvalidAction',
          status: 400,
          message: `The action ${action} is not valid for this endpoint.`,
        },
        SNS_XMLNS,
      );
    }
    const arn = params.get('TopicArn') ?? '';
    const decision = await request.authorize('sns:GetTopicAttributes', arn);
    if (!decision.allowed) {
      return queryError(
        {
          code: 'AuthorizationError',
          status: 403,
          message: notAuthorizedMessage(request.caller, 'SNS:GetTopicAttributes', arn, decision.reason),
        },
        SNS_XMLNS,
      );
    }
    if (!this.options.topics().includes(arn)) {
      return queryError({ code: 'NotFound', status: 404, message: 'Topic does not exist' }, SNS_XMLNS);
    }
    const attributes: Record<string, string> = {
      TopicArn: arn,
      Owner: request.accountId,
      DisplayName: '',
      SubscriptionsConfirmed: '0',
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
    };
    const entries = Object.entries(attributes)
      .map(([k, v]) => `<entry><key>${k}</key><value>${xmlEscape(v)}</value></entry>`)
      .join('');
    return queryResponse('GetTopicAttributes', `<Attributes>${entries}</Attributes>`, SNS_XMLNS);
  }
}
