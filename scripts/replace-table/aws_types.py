"""
Pulumi AWS (classic, terraform-provider-aws based) types -> CloudFormation types, with the property
renames the generator cannot guess. Rules the generator applies:
- a CFN createOnly property maps to the Pulumi input named by `props`, else to its camelCase name
  (`ParentId` -> `parentId`; nested `A/B` -> `a.b`); a name that is not an input of the Pulumi type
  (read from @pulumi/aws's `<Type>Args` declaration) is listed as a gap, never silently used;
- `none` names CFN createOnly properties with no Pulumi input, and why;
- `inPlace` names CFN createOnly properties that the Pulumi provider (terraform-provider-aws, which
  @pulumi/aws bridges) updates in place, and why: where CFN and the provider disagree, the table
  follows the provider, because that is what `pulumi up` does;
- `extra` adds inputs that replace in the Pulumi provider but are not createOnly in CFN (the
  terraform provider's ForceNew differs, mostly `namePrefix`, which CFN does not have), each with why;
- `cfn: None` is a Pulumi type with no CFN resource of its own (CFN models it inside another
  resource); its `replaceOn` comes from terraform-provider-aws's schema (ForceNew), with why.
"""

TF = 'terraform-provider-aws: ForceNew'
NAME_PREFIX = {'namePrefix': 'auto-naming prefix, ForceNew in terraform-provider-aws; CFN has no such property'}
S3_PART = {'cfn': None, 'replaceOn': ['bucket', 'expectedBucketOwner'], 'why': 'CFN models this inside AWS::S3::Bucket; ' + TF + ' on bucket and expected_bucket_owner'}

AWS_TYPES = {
    'aws:accessanalyzer/analyzer:Analyzer': {'cfn': 'AWS::AccessAnalyzer::Analyzer'},
    'aws:backup/vault:Vault': {'cfn': 'AWS::Backup::BackupVault', 'props': {'BackupVaultName': 'name', 'EncryptionKeyArn': 'kmsKeyArn'}},
    'aws:cfg/deliveryChannel:DeliveryChannel': {'cfn': 'AWS::Config::DeliveryChannel'},
    'aws:cfg/recorder:Recorder': {'cfn': 'AWS::Config::ConfigurationRecorder', 'none': {'StartedOnCreate': 'Pulumi starts the recorder with aws:cfg/recorderStatus'}},
    'aws:cfg/recorderStatus:RecorderStatus': {'cfn': None, 'replaceOn': ['name'], 'why': 'CFN starts the recorder through AWS::Config::ConfigurationRecorder; ' + TF + ' on name'},
    'aws:cfg/rule:Rule': {'cfn': 'AWS::Config::ConfigRule', 'props': {'ConfigRuleName': 'name'}},
    'aws:cloudtrail/trail:Trail': {'cfn': 'AWS::CloudTrail::Trail', 'props': {'TrailName': 'name'}},
    'aws:cloudwatch/eventRule:EventRule': {'cfn': 'AWS::Events::Rule', 'extra': {'eventBusName': TF + ' (CFN moves a rule between buses in place)', **NAME_PREFIX}},
    'aws:cloudwatch/eventTarget:EventTarget': {'cfn': None, 'replaceOn': ['rule', 'targetId', 'eventBusName'], 'why': 'CFN models targets inside AWS::Events::Rule; ' + TF + ' on rule, target_id, event_bus_name'},
    'aws:cloudwatch/logGroup:LogGroup': {'cfn': 'AWS::Logs::LogGroup', 'props': {'LogGroupName': 'name'}, 'extra': {**NAME_PREFIX, 'logGroupClass': TF + ' (CFN updates the class in place)'}},
    'aws:ebs/defaultKmsKey:DefaultKmsKey': {'cfn': None, 'replaceOn': ['keyArn'], 'why': 'no CFN resource; ' + TF + ' on key_arn (no update)'},
    'aws:ebs/encryptionByDefault:EncryptionByDefault': {'cfn': None, 'replaceOn': [], 'why': 'no CFN resource; enabled is updated in place'},
    'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup': {'cfn': None, 'replaceOn': ['vpcId'], 'why': 'adopts the VPC default group (no CFN resource); ' + TF + ' on vpc_id'},
    'aws:ec2/flowLog:FlowLog': {'cfn': 'AWS::EC2::FlowLog', 'props': {'DeliverLogsPermissionArn': 'iamRoleArn', 'ResourceId': 'vpcId', 'DeliverCrossAccountRole': 'deliverCrossAccountRole'},
                                'none': {'ResourceType': 'Pulumi names the resource by its own input (vpcId, subnetId, eniId...)', 'TagFieldSpecifications': 'not an input of the Pulumi type', 'LogGroupName': 'deprecated; logDestination carries it'},
                                'extra': {'subnetId': TF, 'eniId': TF, 'transitGatewayId': TF, 'transitGatewayAttachmentId': TF}},
    'aws:ec2/instance:Instance': {'cfn': 'AWS::EC2::Instance', 'props': {'ImageId': 'ami', 'PrivateIpAddress': 'privateIp', 'HibernationOptions': 'hibernation', 'PlacementGroupName': 'placementGroup', 'SecurityGroups': 'securityGroups'},
                                  'none': {'ElasticGpuSpecifications': 'retired service', 'ElasticInferenceAccelerators': 'retired service', 'LicenseSpecifications': 'not an input of the Pulumi type'},
                                  'extra': {'associatePublicIpAddress': TF + ' (CFN sets it through NetworkInterfaces, createOnly too)'}},
    'aws:ec2/launchTemplate:LaunchTemplate': {'cfn': 'AWS::EC2::LaunchTemplate', 'props': {'LaunchTemplateName': 'name'}, 'extra': NAME_PREFIX},
    'aws:ec2/securityGroup:SecurityGroup': {'cfn': 'AWS::EC2::SecurityGroup', 'props': {'GroupDescription': 'description', 'GroupName': 'name'}, 'extra': NAME_PREFIX},
    'aws:ec2/securityGroupRule:SecurityGroupRule': {'cfn': 'AWS::EC2::SecurityGroupIngress', 'props': {'IpProtocol': 'protocol', 'CidrIp': 'cidrBlocks', 'CidrIpv6': 'ipv6CidrBlocks', 'SourcePrefixListId': 'prefixListIds', 'GroupId': 'securityGroupId'},
                                                    'none': {'GroupName': 'EC2-Classic', 'SourceSecurityGroupName': 'EC2-Classic', 'SourceSecurityGroupOwnerId': 'not an input of the Pulumi type'},
                                                    'extra': {'type': 'ingress and egress are different CFN types (AWS::EC2::SecurityGroupIngress / Egress)', 'self': TF}},
    'aws:ec2/tag:Tag': {'cfn': None, 'replaceOn': ['resourceId', 'key'], 'why': 'no CFN resource; ' + TF + ' on resource_id and key'},
    'aws:ec2/vpcEndpoint:VpcEndpoint': {'cfn': 'AWS::EC2::VPCEndpoint'},
    'aws:ecr/lifecyclePolicy:LifecyclePolicy': {'cfn': None, 'replaceOn': ['repository'], 'why': 'CFN models it inside AWS::ECR::Repository; ' + TF + ' on repository'},
    'aws:ecr/repository:Repository': {'cfn': 'AWS::ECR::Repository', 'props': {'RepositoryName': 'name', 'EncryptionConfiguration': 'encryptionConfigurations', 'EncryptionConfiguration/EncryptionType': 'encryptionConfigurations', 'EncryptionConfiguration/KmsKey': 'encryptionConfigurations'}},
    'aws:eks/addon:Addon': {'cfn': 'AWS::EKS::Addon'},
    'aws:eks/podIdentityAssociation:PodIdentityAssociation': {'cfn': 'AWS::EKS::PodIdentityAssociation'},
    'aws:guardduty/detector:Detector': {'cfn': 'AWS::GuardDuty::Detector'},
    'aws:guardduty/detectorFeature:DetectorFeature': {'cfn': None, 'replaceOn': ['detectorId', 'name'], 'why': 'CFN models features inside AWS::GuardDuty::Detector; ' + TF + ' on detector_id and name'},
    'aws:iam/instanceProfile:InstanceProfile': {'cfn': 'AWS::IAM::InstanceProfile', 'props': {'InstanceProfileName': 'name'}, 'extra': NAME_PREFIX},
    'aws:iam/openIdConnectProvider:OpenIdConnectProvider': {'cfn': 'AWS::IAM::OIDCProvider'},
    'aws:iam/policy:Policy': {'cfn': 'AWS::IAM::ManagedPolicy', 'props': {'ManagedPolicyName': 'name'}, 'extra': NAME_PREFIX},
    'aws:iam/role:Role': {'cfn': 'AWS::IAM::Role', 'props': {'RoleName': 'name'}, 'extra': NAME_PREFIX},
    'aws:iam/rolePolicy:RolePolicy': {'cfn': 'AWS::IAM::RolePolicy', 'props': {'PolicyName': 'name', 'RoleName': 'role'}, 'extra': NAME_PREFIX},
    'aws:iam/rolePolicyAttachment:RolePolicyAttachment': {'cfn': None, 'replaceOn': ['role', 'policyArn'], 'why': 'CFN models it as AWS::IAM::Role ManagedPolicyArns; ' + TF + ' on role and policy_arn'},
    'aws:iam/serviceLinkedRole:ServiceLinkedRole': {'cfn': 'AWS::IAM::ServiceLinkedRole', 'props': {'AWSServiceName': 'awsServiceName'}},
    'aws:identitystore/group:Group': {'cfn': 'AWS::IdentityStore::Group'},
    'aws:inspector2/enabler:Enabler': {'cfn': None, 'replaceOn': [], 'why': 'no CFN resource; account_ids and resource_types are updated in place (terraform-provider-aws has an Update)'},
    'aws:kms/alias:Alias': {'cfn': 'AWS::KMS::Alias', 'props': {'AliasName': 'name'}, 'extra': NAME_PREFIX},
    'aws:kms/key:Key': {'cfn': 'AWS::KMS::Key', 'extra': {'customerMasterKeySpec': TF, 'keyUsage': TF, 'multiRegion': TF}},
    'aws:organizations/account:Account': {'cfn': 'AWS::Organizations::Account', 'extra': {'email': TF + ' (CFN: no createOnly, the handler rejects the change)', 'iamUserAccessToBilling': TF, 'roleName': TF}},
    'aws:organizations/organization:Organization': {'cfn': 'AWS::Organizations::Organization'},
    'aws:organizations/organizationalUnit:OrganizationalUnit': {'cfn': 'AWS::Organizations::OrganizationalUnit'},
    'aws:organizations/policy:Policy': {'cfn': 'AWS::Organizations::Policy'},
    'aws:organizations/policyAttachment:PolicyAttachment': {'cfn': None, 'replaceOn': ['policyId', 'targetId'], 'why': 'CFN models attachments as AWS::Organizations::Policy TargetIds; ' + TF + ' on policy_id and target_id'},
    'aws:route53/record:Record': {'cfn': 'AWS::Route53::RecordSet', 'props': {'HostedZoneId': 'zoneId'}, 'none': {'HostedZoneName': 'Pulumi names the zone by zoneId only'}, 'extra': {'name': TF + ' (CFN renames a record set in place)'}},
    'aws:route53/zone:Zone': {'cfn': 'AWS::Route53::HostedZone'},
    'aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock': {'cfn': None, 'replaceOn': ['accountId'], 'why': 'no CFN resource; ' + TF + ' on account_id'},
    'aws:s3/bucket:Bucket': {'cfn': 'AWS::S3::Bucket', 'props': {'BucketName': 'bucket', 'BucketNamePrefix': 'bucketPrefix'}, 'none': {'BucketNamespace': 'not an input of the Pulumi type (account-regional namespaces)'}},
    'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration': S3_PART,
    'aws:s3/bucketLogging:BucketLogging': S3_PART,
    'aws:s3/bucketOwnershipControls:BucketOwnershipControls': {'cfn': None, 'replaceOn': ['bucket'], 'why': 'CFN models it inside AWS::S3::Bucket; ' + TF + ' on bucket'},
    'aws:s3/bucketPolicy:BucketPolicy': {'cfn': 'AWS::S3::BucketPolicy'},
    'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock': {'cfn': None, 'replaceOn': ['bucket'], 'why': 'CFN models it inside AWS::S3::Bucket; ' + TF + ' on bucket'},
    'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration': S3_PART,
    'aws:s3/bucketVersioning:BucketVersioning': S3_PART,
    'aws:secretsmanager/secret:Secret': {'cfn': 'AWS::SecretsManager::Secret', 'extra': NAME_PREFIX},
    'aws:secretsmanager/secretVersion:SecretVersion': {'cfn': None, 'replaceOn': ['secretId'], 'why': 'CFN models the value inside AWS::SecretsManager::Secret; ' + TF + ' on secret_id'},
    'aws:securityhub/account:Account': {'cfn': 'AWS::SecurityHub::Hub'},
    'aws:securityhub/standardsSubscription:StandardsSubscription': {'cfn': 'AWS::SecurityHub::Standard'},
    'aws:sns/topic:Topic': {'cfn': 'AWS::SNS::Topic', 'props': {'TopicName': 'name'}, 'extra': NAME_PREFIX},
    'aws:sqs/queue:Queue': {'cfn': 'AWS::SQS::Queue', 'props': {'QueueName': 'name'}, 'extra': NAME_PREFIX},
    'aws:sqs/queuePolicy:QueuePolicy': {'cfn': 'AWS::SQS::QueuePolicy', 'extra': {'queueUrl': TF + ' (CFN lists Queues, updatable)'}},
    'aws:ssoadmin/accountAssignment:AccountAssignment': {'cfn': 'AWS::SSO::Assignment'},
    'aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment': {'cfn': None, 'replaceOn': ['instanceArn', 'managedPolicyArn', 'permissionSetArn'], 'why': 'CFN models it as AWS::SSO::PermissionSet ManagedPolicies; ' + TF + ' on every argument'},
    'aws:ssoadmin/permissionSet:PermissionSet': {'cfn': 'AWS::SSO::PermissionSet'},
    'aws:backup/plan:Plan': {'cfn': 'AWS::Backup::BackupPlan', 'extra': {'name': TF + ' (CFN: BackupPlan/BackupPlanName is updatable)'}},
    'aws:backup/selection:Selection': {'cfn': None, 'replaceOn': ['conditions', 'iamRoleArn', 'name', 'notResources', 'planId', 'resources', 'selectionTags'], 'why': 'CFN: BackupSelection and BackupPlanId are createOnly (the whole selection); ' + TF + ' on every argument (no Update)'},
    'aws:cloudwatch/metricAlarm:MetricAlarm': {'cfn': 'AWS::CloudWatch::Alarm', 'props': {'AlarmName': 'name'}},
    'aws:dynamodb/table:Table': {'cfn': 'AWS::DynamoDB::Table', 'props': {'TableName': 'name', 'ImportSourceSpecification': 'importTable'},
                                'extra': {'hashKey': TF + ' (CFN updates KeySchema through its handler)', 'rangeKey': TF, 'localSecondaryIndexes': TF,
                                          'restoreSourceName': TF, 'restoreToLatestTime': TF, 'restoreDateTime': TF}},
    'aws:ecr/replicationConfiguration:ReplicationConfiguration': {'cfn': 'AWS::ECR::ReplicationConfiguration'},
    'aws:eks/accessEntry:AccessEntry': {'cfn': 'AWS::EKS::AccessEntry'},
    'aws:eks/accessPolicyAssociation:AccessPolicyAssociation': {'cfn': None, 'replaceOn': ['accessScope', 'clusterName', 'policyArn', 'principalArn'], 'why': 'CFN models it inside AWS::EKS::AccessEntry AccessPolicies; ' + TF + ' on every argument'},
    'aws:eks/cluster:Cluster': {'cfn': 'AWS::EKS::Cluster',
                                'inPlace': {'EncryptionConfig': 'terraform-provider-aws adds envelope encryption in place (AssociateEncryptionConfig); only removing it replaces (CustomizeDiff ForceNewIfChange), which a path rule cannot express'},
                                'extra': {'remoteNetworkConfig': TF}},
    'aws:eks/nodeGroup:NodeGroup': {'cfn': 'AWS::EKS::Nodegroup', 'props': {'NodegroupName': 'nodeGroupName', 'NodeRole': 'nodeRoleArn', 'Subnets': 'subnetIds'},
                                    'extra': {'nodeGroupNamePrefix': 'auto-naming prefix, ForceNew in terraform-provider-aws; CFN has no such property'}},
    'aws:fis/experimentTemplate:ExperimentTemplate': {'cfn': 'AWS::FIS::ExperimentTemplate'},
    'aws:lambda/function:Function': {'cfn': 'AWS::Lambda::Function', 'props': {'FunctionName': 'name'}},
    'aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig': {'cfn': 'AWS::Lambda::EventInvokeConfig'},
    'aws:lambda/permission:Permission': {'cfn': 'AWS::Lambda::Permission', 'props': {'FunctionName': 'function', 'PrincipalOrgID': 'principalOrgId'},
                                         'extra': {'statementId': 'the statement id names the policy statement (AddPermission has no update); ' + TF, 'statementIdPrefix': TF, 'qualifier': TF}},
    'aws:lb/listener:Listener': {'cfn': 'AWS::ElasticLoadBalancingV2::Listener'},
    'aws:lb/loadBalancer:LoadBalancer': {'cfn': 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'props': {'Type': 'loadBalancerType', 'Scheme': 'internal'}, 'extra': NAME_PREFIX},
    'aws:lb/targetGroup:TargetGroup': {'cfn': 'AWS::ElasticLoadBalancingV2::TargetGroup', 'extra': NAME_PREFIX},
    'aws:route53/healthCheck:HealthCheck': {'cfn': 'AWS::Route53::HealthCheck', 'props': {'HealthCheckConfig/Type': 'type', 'HealthCheckConfig/MeasureLatency': 'measureLatency', 'HealthCheckConfig/RequestInterval': 'requestInterval'}},
    'aws:scheduler/schedule:Schedule': {'cfn': 'AWS::Scheduler::Schedule', 'extra': NAME_PREFIX},
    # Not registered by the programs today: the tests' fixtures use them (test/engine/fixtures/vpc-phase.ts,
    # test/engine/replace-fidelity.test.ts).
    'aws:ec2/vpc:Vpc': {'cfn': 'AWS::EC2::VPC', 'extra': {'instanceTenancy': TF + ' when changed to dedicated'}},
    'aws:ec2/subnet:Subnet': {'cfn': 'AWS::EC2::Subnet'},
    'aws:ec2/routeTable:RouteTable': {'cfn': 'AWS::EC2::RouteTable'},
    'aws:rds/instance:Instance': {'cfn': 'AWS::RDS::DBInstance', 'props': {'DBInstanceIdentifier': 'identifier', 'DBName': 'dbName', 'MasterUsername': 'username', 'CustomIAMInstanceProfile': 'customIamInstanceProfile'},
                                  'inPlace': {'DBSubnetGroupName': 'terraform-provider-aws updates db_subnet_group_name in place (ModifyDBInstance moves the instance)'},
                                  'extra': {'engine': TF + ' (CFN: Engine is not createOnly)', 'availabilityZone': TF + ' (CFN: AvailabilityZone is not createOnly)', 'identifierPrefix': TF, 'snapshotIdentifier': TF, 'restoreToPointInTime': TF}},
}

# Multi-language components: under mocks one resource stands for the tree the real engine builds.
# A change replaces the stand-in when it replaces the child that matters, per that child's rule.
REMOTE_COMPONENTS = {
    'awsx:ec2:Vpc': {'replaceOn': ['cidrBlock'], 'why': 'its aws:ec2/vpc:Vpc child: CidrBlock is createOnly in AWS::EC2::VPC'},
    'eks:index:Cluster': {'replaceOn': ['name', 'serviceRole', 'encryptionConfigKeyArn'], 'why': 'its aws:eks/cluster:Cluster child: Name, RoleArn and EncryptionConfig are createOnly in AWS::EKS::Cluster'},
    'eks:index:ManagedNodeGroup': {'replaceOn': ['cluster', 'nodeGroupName', 'nodeRoleArn', 'capacityType', 'instanceTypes', 'diskSize', 'amiType', 'subnetIds', 'remoteAccess'], 'why': 'its aws:eks/nodeGroup:NodeGroup child: ClusterName, NodegroupName, NodeRole, CapacityType, InstanceTypes, DiskSize, AmiType, Subnets and RemoteAccess are createOnly in AWS::EKS::Nodegroup'},
}
