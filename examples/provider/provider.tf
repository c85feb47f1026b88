terraform {
  required_providers {
    huaweicloud = {
      source = "fgs-tools/huaweicloud"
    }
  }
}

# Credentials from HW_ACCESS_KEY and HW_SECRET_KEY (or the arguments below),
# exactly as for the official huaweicloud/huaweicloud provider.
provider "huaweicloud" {
  region = "cn-north-4"
  # access_key  = var.access_key
  # secret_key  = var.secret_key
  # max_retries = 5
}
