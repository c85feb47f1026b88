# Terraform 1.8 or later.
locals {
  fn = provider::huaweicloud::parse_function_urn("urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest")
}

output "function_region" {
  value = local.fn.region # "cn-north-4"
}

output "function_name" {
  value = local.fn.function_name # "report-generator"
}
