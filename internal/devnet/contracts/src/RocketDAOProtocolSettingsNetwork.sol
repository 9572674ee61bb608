// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.24;

// Model of Rocket Pool's RocketDAOProtocolSettingsNetwork (v1.4,
// rocket-pool/rocketpool@fef41a4f contracts/contract/dao/protocol/settings/
// RocketDAOProtocolSettingsNetwork.sol): only the settings an rETH client
// and the other model contracts read (balance submissions, the rETH
// collateral target, the RPIP-61 rate guardrails, the inert deposit
// delay), stored in RocketStorage under
// keccak256(abi.encodePacked(keccak256("dao.protocol.setting.network"), path)).
// Defaults are the real constructor's, except the balance submission
// frequency: 0 instead of 1 day, and its guard (">= 1 hour & <= 7 days") is
// not modelled, so that the devnet's oracle can move the rate every few
// seconds (RPIP-61's "Not enough time has passed" still applies with it).
//
// MODEL-ONLY: setSettingUint/setSettingBool keep their real signatures but
// are guarded by the RocketStorage guardian instead of the DAO proposals
// contract.

interface RocketStorageForSettingsNetwork {
    function getDeployedStatus() external view returns (bool);
    function getGuardian() external view returns (address);
    function getUint(bytes32 _key) external view returns (uint256);
    function getBool(bytes32 _key) external view returns (bool);
    function setUint(bytes32 _key, uint256 _value) external;
    function setBool(bytes32 _key, bool _value) external;
}

contract RocketDAOProtocolSettingsNetwork {
    uint8 public version = 4;
    RocketStorageForSettingsNetwork internal immutable rocketStorage;
    bytes32 internal immutable settingNameSpace;

    modifier onlyDAOProtocolProposal() {
        if (rocketStorage.getBool(keccak256(abi.encodePacked(settingNameSpace, "deployed")))) {
            require(msg.sender == rocketStorage.getGuardian(), "Only DAO Protocol Proposals contract can update a setting");
        }
        _;
    }

    constructor(RocketStorageForSettingsNetwork _rocketStorageAddress) {
        rocketStorage = _rocketStorageAddress;
        settingNameSpace = keccak256(abi.encodePacked("dao.protocol.setting.", "network"));
        if (!_rocketStorageAddress.getDeployedStatus()) {
            _setSettingBool("network.submit.balances.enabled", true);
            _setSettingUint("network.submit.balances.frequency", 0);
            _setSettingUint("network.reth.collateral.target", 0.1 ether);
            _setSettingUint("network.reth.deposit.delay", 0);
            _setSettingUint("network.max.reth.balance.delta", 0.02 ether);
            rocketStorage.setBool(keccak256(abi.encodePacked(settingNameSpace, "deployed")), true);
        }
    }

    function getSettingUint(string memory _settingPath) public view returns (uint256) {
        return rocketStorage.getUint(keccak256(abi.encodePacked(settingNameSpace, _settingPath)));
    }

    function getSettingBool(string memory _settingPath) public view returns (bool) {
        return rocketStorage.getBool(keccak256(abi.encodePacked(settingNameSpace, _settingPath)));
    }

    function setSettingUint(string memory _settingPath, uint256 _value) public onlyDAOProtocolProposal {
        if (rocketStorage.getBool(keccak256(abi.encodePacked(settingNameSpace, "deployed")))) {
            bytes32 settingKey = keccak256(bytes(_settingPath));
            if (settingKey == keccak256(bytes("network.reth.collateral.target"))) {
                require(_value <= 0.5 ether, "Value must be <= 50%");
            } else if (settingKey == keccak256(bytes("network.max.reth.balance.delta"))) {
                require(_value >= 0.01 ether, "The max rETH balance delta must be >= 1%");
            }
        }
        _setSettingUint(_settingPath, _value);
    }

    function setSettingBool(string memory _settingPath, bool _value) public onlyDAOProtocolProposal {
        _setSettingBool(_settingPath, _value);
    }

    function _setSettingUint(string memory _settingPath, uint256 _value) internal {
        rocketStorage.setUint(keccak256(abi.encodePacked(settingNameSpace, _settingPath)), _value);
    }

    function _setSettingBool(string memory _settingPath, bool _value) internal {
        rocketStorage.setBool(keccak256(abi.encodePacked(settingNameSpace, _settingPath)), _value);
    }

    function getSubmitBalancesEnabled() external view returns (bool) {
        return getSettingBool("network.submit.balances.enabled");
    }

    function getSubmitBalancesFrequency() external view returns (uint256) {
        return getSettingUint("network.submit.balances.frequency");
    }

    function getTargetRethCollateralRate() external view returns (uint256) {
        return getSettingUint("network.reth.collateral.target");
    }

    function getRethDepositDelay() external view returns (uint256) {
        return getSettingUint("network.reth.deposit.delay");
    }

    function getMaxRethDelta() external view returns (uint256) {
        return getSettingUint("network.max.reth.balance.delta");
    }
}
