# Terraform 1.8 or later.
output "report_generator_urn" {
  # "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"
  value = provider::huaweicloud::function_urn("cn-north-4", "0123456789abcdef0123456789abcdef", "default", "report-generator", "latest")
}
